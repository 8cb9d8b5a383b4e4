// Where the SQL files live: `queries/` is read as data by core (migrations now, KPI queries later).
import { fileURLToPath } from 'node:url';

export const queriesDir = fileURLToPath(new URL('../queries/', import.meta.url));
