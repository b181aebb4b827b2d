import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../src/lib/git.js';

/** A real git repository in a temp folder, with helpers to write files and commit. */
export class TempRepo {
  private constructor(readonly dir: string) {}

  static async create(files: Record<string, string> = {}, opts: { copyFrom?: string } = {}): Promise<TempRepo> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-test-'));
    const repo = new TempRepo(dir);
    await git(dir, ['init', '-q', '-b', 'main']);
    if (opts.copyFrom) await fs.cp(opts.copyFrom, dir, { recursive: true });
    await repo.write(files);
    await repo.commit('initial');
    return repo;
  }

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [rel, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(this.path(rel)), { recursive: true });
      await fs.writeFile(this.path(rel), content);
    }
  }

  async read(rel: string): Promise<string> {
    return fs.readFile(this.path(rel), 'utf8');
  }

  async commit(message: string): Promise<void> {
    await git(this.dir, ['add', '-A']);
    await git(this.dir, [
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      message,
    ]);
  }

  async status(): Promise<string> {
    return git(this.dir, ['status', '--porcelain']);
  }

  async remove(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
