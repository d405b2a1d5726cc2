/**
 * Configuration of the hardware: serial scanner, GPIO lines, feedback patterns.
 * @module
 */
import { z } from 'zod';

export const halSection = {
  scanner: z
    .strictObject({
      path: z.string().min(1).default('/dev/ttyACM0'),
      baudRate: z.number().int().positive().default(9600),
    })
    .prefault({}),
};
