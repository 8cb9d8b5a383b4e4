// REDIS_URL, shared by the pledge API (rate limits, profile cache) and the CLI (`import-sqlite --follow`
// invalidates the profiles it changes): one schema, so both accept and refuse the same values.
import { z } from 'zod';

export const redisEnvSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
});
