// Fails when dist/ is not what `npm run build` produces from the current sources.
import { execFileSync } from 'node:child_process';

execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist', 'action.yml', 'actions', 'README.md'], {
  encoding: 'utf8',
});
if (changed.trim()) {
  console.error(
    `dist/ (or the generated action.yml files / README tables) is stale: rebuild with 'npm run build' and commit it.\n${changed}`,
  );
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist', 'action.yml', 'actions', 'README.md'], {
    stdio: 'inherit',
  });
  process.exit(1);
}
console.log('dist/ is fresh.');
