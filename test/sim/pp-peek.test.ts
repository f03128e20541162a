import { it } from 'vitest';
import { startHarness } from './harness.js';
it('peek', async () => {
  const h = await startHarness();
  const t = (await h.credential.getToken('https://service.powerapps.com/.default'))!.token;
  const b = await h.raw('GET', '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01', { token: t });
  const benv = (await b.json()) as { value: { properties: { linkedEnvironmentMetadata?: { instanceApiUrl: string } } }[] };
  console.log(JSON.stringify(benv.value[0], null, 1));
  const api = benv.value[0]!.properties.linkedEnvironmentMetadata!.instanceApiUrl;
  const dt = (await h.credential.getToken(`${api}/.default`))!.token;
  for (const [p, prefer] of [['workflows?$top=1', 'odata.include-annotations="*"'], ['workflows?$select=name&$filter=statecode eq 0', 'odata.maxpagesize=1'], ['systemusers?$top=2', 'odata.include-annotations="*"'], ['Workflows', ''], ['workflows(abc)', ''], ['workflows?$select=foo', ''], ['workflows?$filter=foo eq 1', '']] as const) {
    const r = await fetch(`${api}/api/data/v9.2/${p}`, { headers: { Authorization: `Bearer ${dt}`, Prefer: prefer } });
    console.log(p, r.status, [...r.headers].filter(([k]) => !['date','x-ms-ags-diagnostic'].includes(k)), JSON.stringify(await r.json(), null, 1));
  }
  const r = await fetch(`${api}/api/data/v9.2/workflows(${'0'.repeat(8)}-0000-0000-0000-000000000000)`, { method: 'PATCH', headers: { Authorization: `Bearer ${dt}`, 'Content-Type': 'application/json' }, body: '{}' });
  console.log(r.status, await r.text());
  const f = (await h.control<{ flows: { workflowid: string }[] }>('GET', `/environments/${api.split('/').pop()}`)).flows[0]!;
  const r2 = await fetch(`${api}/api/data/v9.2/workflows(${f.workflowid})`, { method: 'PATCH', headers: { Authorization: `Bearer ${dt}`, 'Content-Type': 'application/json' }, body: '{"statecode":0}' });
  console.log(r2.status, await r2.text());
  await h.sim.stop();
});
