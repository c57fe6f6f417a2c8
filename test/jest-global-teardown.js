module.exports = require('./jest-tmp').teardown;
