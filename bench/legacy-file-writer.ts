// Writes the benchmark's big legacy Pledgr file in a process of its own (`node --import tsx
// bench/legacy-file-writer.ts PATH USERS ARTISTS PLEDGES`), so that its memory is not counted as the import's.
import { writeBigLegacyFile } from '../test/support/legacy-file.ts';

const [path, users, artists, pledges] = process.argv.slice(2);
if (!path) throw new Error('usage: legacy-file-writer.ts PATH USERS ARTISTS PLEDGES');
await writeBigLegacyFile(path, { users: Number(users), artists: Number(artists), pledges: Number(pledges) });
