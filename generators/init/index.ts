// `yo model-service:init [name]`: the same generator as `yo model-service init [name]`.
export { default } from '../app/index.js';
