// Process memory (resident set size). Heap, GC and event-loop delay come from the runtime instrumentation.
import { agentMeter } from './meter.ts';

export function instrumentProcessMemory(): void {
  agentMeter()
    .createObservableUpDownCounter('process.memory.usage', {
      description: 'Resident set size of the process',
      unit: 'By',
    })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
}
