/**
 * Names that go into GitHub API URLs, checked before any call so that a `..` or a crafted branch cannot
 * move a request (and its token) to another endpoint. Each function returns what is wrong, or undefined.
 */

/** A GitHub user or organization: letters, digits and hyphens, not starting with a hyphen, at most 39. */
export function ownerNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(name)) {
    return `'${name}' is not a GitHub user or organization name (letters, digits and '-', not starting with '-', at most 39 characters)`;
  }
  return undefined;
}

/** A GitHub repository name: letters, digits, '.', '_' and '-', at most 100, and not '.' or '..'. */
export function repoNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name === '.' || name === '..') {
    return `'${name}' is not a GitHub repository name (letters, digits, '.', '_' and '-', at most 100 characters, not '.' or '..')`;
  }
  return undefined;
}

/**
 * A ref name as `git check-ref-format` accepts it (a branch, a tag, `heads/main`): no `..`, no control
 * characters, space, `~ ^ : ? * [ \`, no `@{`, no component starting with '.' or ending with `.lock`,
 * no empty component, not ending with '.', not '@', and (as a command-line argument never may) not
 * starting with '-'.
 */
export function refNameProblem(name: string): string | undefined {
  const why =
    name === ''
      ? 'it is empty'
      : name === '@'
        ? "'@' alone is not a ref"
        : name.startsWith('-')
          ? "it starts with '-'"
          : name.includes('..')
            ? "it contains '..'"
            : [...name].some((c) => c <= ' ' || c === '\x7f') || /[~^:?*[\\]/.test(name)
              ? 'it contains a space, a control character or one of ~ ^ : ? * [ \\'
              : name.includes('@{')
                ? "it contains '@{'"
                : name.startsWith('/') || name.endsWith('/') || name.includes('//')
                  ? "it starts or ends with '/' or has '//'"
                  : name.endsWith('.')
                    ? "it ends with '.'"
                    : name.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'))
                      ? "a part starts with '.' or ends with '.lock'"
                      : undefined;
  return why && `'${name}' is not a valid git ref name: ${why}`;
}

/** A branch name as an input gives it: a valid ref name, without `refs/` (the short name) and not HEAD. */
export function branchNameProblem(name: string): string | undefined {
  if (name.startsWith('refs/'))
    return `'${name}' is a full ref; give the branch's short name (e.g. '${name.replace(/^refs\/(heads\/)?/, '')}')`;
  if (name === 'HEAD') return "'HEAD' is not a branch name";
  return refNameProblem(name)?.replace('git ref name', 'git branch name');
}
