import { describe, expect, test } from '@jest/globals';
import { code, table, text } from '../../src/lib/markdown.js';

describe('markdown builders', () => {
  test('text() escapes what markdown would read as emphasis, HTML, links or entities', () => {
    expect(text('__x__ *y* <b> [l](u) a_b `c` ~d~ &amp; \\')).toBe(
      '\\_\\_x\\_\\_ \\*y\\* \\<b\\> \\[l\\](u) a\\_b \\`c\\` \\~d\\~ &amp;amp; \\\\',
    );
    expect(text('plain words, 1.5 - ok')).toBe('plain words, 1.5 - ok');
  });

  test('table cells keep the escapes and code spans keep backslashes; pipes and newlines are escaped', () => {
    expect(table(['a', 'b'], [[text('__x__|y'), code('C:\\path')]])).toBe(
      '| a | b |\n| --- | --- |\n| \\_\\_x\\_\\_\\|y | `C:\\path` |\n',
    );
    expect(table(['a'], [['line 1\nline 2']])).toContain('| line 1<br>line 2 |');
  });
});
