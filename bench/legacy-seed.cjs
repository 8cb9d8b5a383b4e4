// Seeds the legacy-style fixture app's SQLite file for the agent benchmark (bench/agent.bench.ts), through the
// app's own database module (test/fixtures/legacy-pledgr/database.js: its schema and its three demo artists)
// and its sqlite3: `DB_PATH=/tmp/x.db node bench/legacy-seed.cjs <app dir> <artists>`. Prints the artist ids
// as a JSON array.
const path = require('node:path');

const [appDir, wanted] = [path.resolve(process.argv[2] ?? '.'), Number(process.argv[3] ?? 200)];
const db = require(path.join(appDir, 'database.js'));

async function main() {
  await db.init();
  const { n } = await db.get('SELECT COUNT(*) AS n FROM artists');
  const categories = ['music', 'art', 'podcast', 'video', 'writing'];
  await db.run('BEGIN');
  for (let i = n + 1; i <= wanted; i++) {
    await db.run('INSERT INTO artists (name, category, goal, pledged, supporters) VALUES (?, ?, ?, ?, ?)', [
      `Bench Artist ${i}`,
      categories[i % categories.length],
      100 * (1 + (i % 20)),
      7 * i,
      i % 50,
    ]);
  }
  await db.run('COMMIT');
  const ids = (await db.all('SELECT id FROM artists ORDER BY id')).map((row) => row.id);
  await db.close();
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
