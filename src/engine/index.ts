export * from './engine.js';
export * from './rng.js';
export * from './time.js';
