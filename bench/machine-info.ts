/** What a reader needs to compare two bench outputs: machine, runtime, date, command. */
import { cpus, totalmem, availableParallelism, platform, release } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  command: string;
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
  };
}
