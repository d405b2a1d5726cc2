/**
 * The LEDs and buzzer: the face the rest of the program uses (the device loop plays patterns and
 * keeps an alert in the background through it). The drivers themselves are made by `createHal`.
 * @module
 */
export { IndicatorError, type Indicator, type IndicatorEvents, type IndicatorOutputEvent } from './indicator.js';
export {
  blinkTimeline,
  patternFor,
  storageAlertTimeline,
  type FeedbackConfig,
  type FeedbackVerdict,
  type IndicatorOutput,
  type Timeline,
} from './patterns.js';
