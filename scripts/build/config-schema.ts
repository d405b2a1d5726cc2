/**
 * Writes config/schema.json, the JSON Schema of the configuration, generated from the zod schema
 * the software validates with, so editors can complete and check a configuration file and the two
 * can never disagree. A test fails when the committed file is not current.
 *
 * Run after changing a config section: npm run build && node dist/scripts/build/config-schema.js
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../../firmware-ts/config/schema.js';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';

export const CONFIG_SCHEMA_FILE = join(PACKAGE_ROOT, 'config', 'schema.json');

/** The text config/schema.json must hold. */
export function configSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'roadscan configuration' }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIG_SCHEMA_FILE, configSchemaText());
  console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
}
