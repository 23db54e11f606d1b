/** What a reader needs to compare two bench outputs: machine, runtime, date, command. */
import { cpus, totalmem, availableParallelism, platform, release, loadavg } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  command: string;
  /** 1-minute load average when the bench started: other work on the machine skews every number. */
  loadAverage1m: number;
}

export function machineInfo(argv: string[]): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
    command: ['npm run bench --', ...argv].join(' '),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The current 1-minute load average, rounded. */
export function loadAverageNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
