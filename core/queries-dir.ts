// Where the SQL files live: `queries/` is read as data by core (migrations, KPI queries).
import { fromPackageRoot } from './package-root.ts';

export const queriesDir = fromPackageRoot('queries');
