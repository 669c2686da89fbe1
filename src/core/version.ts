/** Recorded in every result; kept equal to package.json's version by a unit test. */
export const ENGINE_VERSION = '0.1.0';
