/** The calibration data of the simulator: the reference run (issue 6) and the fit to the public anchors (issue 12). */
export * from './reference';
export * from './fitted';
