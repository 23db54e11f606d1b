/**
 * Built-in checks on commands an agent is about to run: destructive commands (rm -rf /,
 * mkfs, fork bombs, piping a download into a shell, reverse shells, wiping logs), destructive
 * SQL, and privilege escalation (sudo, su, setuid bits, sudoers edits, privileged containers).
 *
 * Patterns are ours (not policy text) but run on attacker-controlled strings, so they are RE2
 * (linear time). One RE2.Set pass answers "anything at all?"; only then are rules named.
 */
import RE2 from 're2';

export type CommandFindingKind = 'dangerous-command' | 'privilege-escalation' | 'destructive-sql';

export interface CommandFinding {
  kind: CommandFindingKind;
  ruleId: string;
  description: string;
}

type RE2Set = InstanceType<typeof RE2.Set>;

interface CommandRule {
  id: string;
  kind: CommandFindingKind;
  pattern: string;
  description: string;
}

/** Where a command word may start: line start, after a separator, or after a prefix such as sudo/env. */
const CMD = String.raw`(?:^|[;&|(\x60\n]\s*|\$\(\s*|\bsudo\s+(?:-\S+\s+)*|\benv\s+|\bexec\s+|\bnohup\s+)`;
const ROOTISH = String.raw`(?:/\*?|~/?\*?|\$HOME/?|\*|/(?:etc|usr|var|home|boot|bin|sbin|lib|lib64|opt|root|srv|sys|dev)/?\*?)`;

const RULES: readonly CommandRule[] = [
  {
    id: 'rm-recursive-root',
    kind: 'dangerous-command',
    pattern: String.raw`\brm\s+(?:-{1,2}[\w-]+\s+)*(?:-[a-z]*r[a-z]*|--recursive)\s+(?:-{1,2}[\w-]+\s+)*"?` + ROOTISH + String.raw`"?(?:\s|$|[;&|)])`,
    description: 'recursive delete of the root, home or a system directory',
  },
  { id: 'rm-no-preserve-root', kind: 'dangerous-command', pattern: String.raw`--no-preserve-root\b`, description: 'rm with --no-preserve-root' },
  { id: 'mkfs', kind: 'dangerous-command', pattern: CMD + String.raw`mkfs(?:\.\w+)?\b`, description: 'formats a file system' },
  {
    id: 'raw-disk-write',
    kind: 'dangerous-command',
    pattern: String.raw`(?:\bdd\b[^\n]*\bof=|>\s*)/dev/(?:sd|hd|nvme|xvd|vd|mmcblk|disk)\w*`,
    description: 'writes over a raw disk device',
  },
  { id: 'fork-bomb', kind: 'dangerous-command', pattern: String.raw`:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:`, description: 'a fork bomb' },
  {
    id: 'chmod-world-root',
    kind: 'dangerous-command',
    pattern: String.raw`\bch(?:mod|own)\s+-[a-z]*R[a-z]*\s+\S+\s+/(?:\s|$|\*)`,
    description: 'recursive permission or owner change of the whole file system',
  },
  {
    id: 'download-to-shell',
    kind: 'dangerous-command',
    pattern: String.raw`\b(?:curl|wget|fetch)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|k|da|fi)?sh\b`,
    description: 'pipes a download straight into a shell',
  },
  {
    id: 'decode-to-shell',
    kind: 'dangerous-command',
    pattern: String.raw`\bbase64\s+(?:-d|--decode|-D)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b`,
    description: 'pipes decoded hidden text into a shell',
  },
  {
    id: 'reverse-shell',
    kind: 'dangerous-command',
    pattern: String.raw`/dev/(?:tcp|udp)/|\b(?:nc|ncat|netcat)\b[^\n]*\s-[a-z]*[ec]\s|\bsocat\b[^\n]*\bexec:`,
    description: 'opens a reverse shell',
  },
  {
    id: 'power-off',
    kind: 'dangerous-command',
    pattern: CMD + String.raw`(?:shutdown|reboot|halt|poweroff|init\s+[06])\b`,
    description: 'shuts down or reboots the machine',
  },
  { id: 'kill-everything', kind: 'dangerous-command', pattern: String.raw`\bkill\s+-(?:9|KILL)\s+-1\b|` + CMD + String.raw`killall5\b`, description: 'kills every process' },
  {
    id: 'wipe-traces',
    kind: 'dangerous-command',
    pattern: String.raw`\bhistory\s+-c\b|>\s*/var/log/|\bshred\b[^\n]*\s/|\bunset\s+HISTFILE\b`,
    description: 'wipes shell history or logs',
  },
  { id: 'firewall-flush', kind: 'dangerous-command', pattern: String.raw`\biptables\s+-F\b|\bufw\s+disable\b`, description: 'drops the firewall' },
  { id: 'crontab-remove', kind: 'dangerous-command', pattern: String.raw`\bcrontab\s+-r\b`, description: 'removes every scheduled job' },
  {
    id: 'sudo',
    kind: 'privilege-escalation',
    pattern: CMD + String.raw`(?:sudo|doas|pkexec|runas)\b`,
    description: 'runs a command as another (privileged) user',
  },
  { id: 'su', kind: 'privilege-escalation', pattern: CMD + String.raw`su(?:\s+(?:-l?(?:\s|$)|root\b|--login\b|-c\b)|\s*$)`, description: 'switches to another user' },
  {
    id: 'setuid',
    kind: 'privilege-escalation',
    pattern: String.raw`\bchmod\s+(?:-\S+\s+)*(?:[ugoa]*\+[rwx]*s|0?[2467][0-7]{3})\b|\bsetcap\b`,
    description: 'sets a setuid/setgid bit or file capabilities',
  },
  {
    id: 'edit-accounts',
    kind: 'privilege-escalation',
    pattern: String.raw`(?:>>?|\btee\b(?:\s+-a)?)\s*/etc/(?:sudoers|passwd|shadow|group)\b|\bvisudo\b|\busermod\b[^\n]*-a?G\s*\S*\b(?:sudo|wheel|root|admin)\b|\bpasswd\s+root\b`,
    description: 'edits accounts, groups or sudo rights',
  },
  {
    id: 'container-escape',
    kind: 'privilege-escalation',
    pattern: String.raw`--privileged\b|\bnsenter\b|\s-v\s+/:/|--pid[= ]host\b`,
    description: 'starts a privileged container or enters the host namespaces',
  },
  {
    id: 'drop-or-truncate',
    kind: 'destructive-sql',
    pattern: String.raw`\b(?:DROP\s+(?:TABLE|DATABASE|SCHEMA|USER)|TRUNCATE(?:\s+TABLE)?\s+\w)`,
    description: 'drops or truncates a table or database',
  },
  {
    id: 'delete-without-where',
    kind: 'destructive-sql',
    pattern: String.raw`\bDELETE\s+FROM\s+[\w."\x60\[\]]+\s*(?:;|$)`,
    description: 'deletes every row of a table',
  },
  {
    id: 'grant-all',
    kind: 'privilege-escalation',
    pattern: String.raw`\bGRANT\s+ALL\b|\bALTER\s+(?:USER|ROLE)\b[^;]*\b(?:SUPERUSER|DBA)\b`,
    description: 'grants database superuser rights',
  },
];

/** The compiled checks; build once (module-level singleton below). */
export class CommandChecker {
  private readonly shellSet: RE2Set;
  private readonly sqlSet: RE2Set;
  private readonly shellRules: readonly CommandRule[];
  private readonly sqlRules: readonly CommandRule[];

  constructor(rules: readonly CommandRule[] = RULES) {
    this.shellRules = rules.filter((r) => r.kind !== 'destructive-sql' && r.id !== 'grant-all');
    this.sqlRules = rules.filter((r) => r.kind === 'destructive-sql' || r.id === 'grant-all');
    // 'm': ^ and $ at line boundaries, so every line of a script is a command start.
    this.shellSet = new RE2.Set(
      this.shellRules.map((r) => r.pattern),
      'im',
    );
    this.sqlSet = new RE2.Set(
      this.sqlRules.map((r) => r.pattern),
      'im',
    );
  }

  /** Shell command checks (dangerous commands and privilege escalation). */
  checkCommand(text: string): CommandFinding[] {
    return this.collect(this.shellSet, this.shellRules, text);
  }

  /** SQL checks (destructive statements, superuser grants). */
  checkSql(text: string): CommandFinding[] {
    return this.collect(this.sqlSet, this.sqlRules, text);
  }

  private collect(set: RE2Set, rules: readonly CommandRule[], text: string): CommandFinding[] {
    if (text.length === 0) return [];
    const hits = set.match(text);
    if (hits.length === 0) return [];
    return hits.map((i: number) => {
      const r = rules[i] as CommandRule;
      return { kind: r.kind, ruleId: r.id, description: r.description };
    });
  }
}

/** Shared instance: the rules are fixed, so one compilation per process is enough. */
export const commandChecker = new CommandChecker();
