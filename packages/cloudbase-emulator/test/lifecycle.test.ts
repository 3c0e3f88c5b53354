import type { EmulatorHost, EmulatorModule } from '../src/core/module';
import { createEmulator, SHUTDOWN_ORDER } from '../src/server';

/** Modules' start/close lifecycle and the declared shutdown order. */
describe('emulator lifecycle', () => {
  it('declares the stop order as data: functions, the port, added modules, then the data', () => {
    expect(SHUTDOWN_ORDER).toEqual(['functions', 'http', 'extensions', 'storage', 'openapi', 'database']);
  });

  it('given an added module, it is started with the URL once listening and closed after the port', async () => {
    const events: string[] = [];
    let started: EmulatorHost | undefined;
    let portOpenAtClose = true;
    const emulator = await createEmulator({
      memory: true,
      modules: [
        {
          name: 'probe',
          routes: [{ method: 'GET', path: '/probe', handle: async (_request, response) => void response.end('probe') }],
          start(host) {
            started = host;
            events.push('start');
          },
          async close() {
            portOpenAtClose = await fetch(`${emulator.url}/api/health`).then(
              () => true,
              () => false,
            );
            events.push('close');
          },
        } satisfies EmulatorModule,
      ],
    });
    expect(started).toEqual({ url: emulator.url, env: emulator.env, dataDir: null });
    expect(await (await fetch(`${emulator.url}/probe`)).text()).toBe('probe');

    await emulator.close();
    await emulator.close();
    expect(events).toEqual(['start', 'close']);
    expect(portOpenAtClose).toBe(false);
  });
});
