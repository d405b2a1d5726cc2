/**
 * The configuration schema: one JSON file, validated strictly (unknown keys are errors).
 * Each section lives in its own module under `sections/`; this file only assembles them.
 * @module
 */
import { z } from 'zod';
import { scanSection } from './sections/scan.js';
import { opsSection } from './sections/ops.js';
import { halSection } from './sections/hal.js';
import { cameraSection } from './sections/camera.js';
import { syncSection } from './sections/sync.js';
import { screenSection } from './sections/screen.js';

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  ...scanSection,
  ...syncSection,
  ...halSection,
  ...cameraSection,
  ...opsSection,
  ...screenSection,
});

export type Config = z.output<typeof configSchema>;
export type Profile = Config['profile'];

/** Every default, from the schema itself: the one source of defaults (no copies elsewhere). */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
