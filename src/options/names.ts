/** Ensemble names: a directory under the home dir, so nothing that could climb out of it. */
export const ENSEMBLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
