// The platform currency (ISO 4217 code) that pledge amounts are kept in, shared by the services' configs.
import { z } from 'zod';

export const currencyEnvSchema = z.object({
  PULSE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in capitals, e.g. USD or EUR')
    .default('USD'),
});
