/**
 * Platform quirk (@cloudbase/cli 2.12.10): `tcb fn deploy <name>` exits with code 0 when the
 * deployment failed — its failure handler prints "✖ [login] 函数部署失败" and returns, and nothing
 * sets the exit code. (`tcb framework deploy` does exit 1.) So a deploy step also fails when the
 * CLI's output holds an error line: the CLI marks those with log-symbols' error mark, "✖" (and
 * "×" on terminals without Unicode, e.g. older Windows consoles).
 */

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The CLI's error lines in `output` (ANSI colours removed), in order. */
export function cliFailureLines(output: string): string[] {
  return output
    .replace(ANSI, '')
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('✖') || line.startsWith('×'));
}
