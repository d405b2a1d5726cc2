const t0 = performance.now();
const { z } = await import('zod/mini');
const t1 = performance.now();
const n = () => z._default(z.number().check(z.int(), z.minimum(0), z.maximum(100)), 5);
const shape = {};
for (let i = 0; i < 15; i++) { const s = {}; for (let j = 0; j < 8; j++) s['k'+j] = n(); shape['s'+i] = z.prefault(z.strictObject(s), {}); }
const schema = z.strictObject(shape);
const t2 = performance.now();
const r = schema.safeParse({});
const t3 = performance.now();
console.log('mini import', (t1-t0).toFixed(1), 'build', (t2-t1).toFixed(1), 'parse', (t3-t2).toFixed(1), r.success);
