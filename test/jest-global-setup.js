module.exports = require('./jest-tmp').setup;
