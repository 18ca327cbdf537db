export { parseOpenBciGuiText, type OpenBciGuiFormat, type OpenBciGuiRecording } from './parser.ts';
export { toEegSamples, type EegChunkOptions } from './chunks.ts';
export { openBciGuiTimingReader, timingStreamOf } from './timing-reader.ts';
