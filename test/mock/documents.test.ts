/**
 * Documents: every listed file downloads (a .pdf is a PDF), an unknown one is
 * 404, and traversal or odd file names, sent raw so encodings reach the
 * server unchanged, are refused (400 or 404) and never yield a file's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1, allOrders, call, rawGet, startServer, type Server } from './helpers.ts';

let s: Server;
let ref: string;
let otherRef: string;
beforeAll(async () => {
  s = await startServer();
  const orders = await allOrders(s.baseUrl, A1);
  ref = orders.find((o) => o.state === 'active').order_reference;
  otherRef = orders.find((o) => o.order_reference !== ref).order_reference;
});
afterAll(async () => {
  await s.close();
});

describe('documents', () => {
  it('every listed document of every order downloads: PDFs as application/pdf starting %PDF-, others as application/octet-stream', async () => {
    const types = new Set<string>();
    let files = 0;
    for (const o of await allOrders(s.baseUrl, A1)) {
      const groups = await call(s.baseUrl, 'GET', `/api/v1/order/${o.order_reference}/documents/`, { op: 'listOrderDocuments' });
      for (const g of groups.json as { type: string; values: string[] }[]) {
        types.add(g.type);
        for (const name of g.values) {
          const r = await call(s.baseUrl, 'GET', `/api/v1/order/${o.order_reference}/${name}/download/`, { op: 'downloadOrderDocument' });
          expect(r.status).toBe(200);
          if (name.endsWith('.pdf')) {
            expect(r.contentType).toBe('application/pdf');
            expect(r.buf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
            expect(r.buf.toString('latin1')).toMatch(/%%EOF\n$/);
          } else {
            expect(r.contentType).toBe('application/octet-stream');
          }
          files++;
        }
      }
    }
    expect(files).toBeGreaterThan(60);
    expect([...types].sort()).toEqual(['ANNEXE', 'BDC', 'CRI', 'CRVT', 'PVL']);
  });

  it('a PDF has a cross-reference table whose offsets point at its objects', async () => {
    const r = await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/${ref}_1.pdf/download/`, { op: 'downloadOrderDocument' });
    const pdf = r.buf.toString('latin1');
    const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => {
      expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
  });

  it("an unknown file, or another order's file, answers 404", async () => {
    for (const name of ['nothing.pdf', `${ref}_9.pdf`, `${otherRef}_1.pdf`, `${ref}_1.PDF`]) {
      const r = await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/${name}/download/`, { op: 'downloadOrderDocument' });
      expect(r.status, name).toBe(404);
    }
  });

  const variants = (): string[] => [
    '../../../etc/passwd',
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%2E%2E%2Fopenapi.yaml',
    '%252e%252e%252fetc%252fpasswd',
    '..%255c..%255cwindows%255cwin.ini',
    '..%5C..%5Cwindows%5Cwin.ini',
    '..\\..\\windows\\win.ini',
    `${ref}_1.pdf%00.txt`,
    '%00',
    '..',
    '.',
    '%2e%2e',
    '.%2e',
    '%2fetc%2fpasswd',
    '%2F%2Fserver%2Fshare%2Ffile.pdf',
    'C:%5Cwindows%5Cwin.ini',
    'file:%2F%2F%2Fetc%2Fpasswd',
    `${ref}_1.pdf%2F..%2F..%2Fpackage.json`,
    `..%2F${otherRef}%2F${otherRef}_1.pdf`,
    `${'A'.repeat(300)}.pdf`,
    'a'.repeat(5000),
    '%c0%ae%c0%ae%c0%af',
    '..%c0%afetc%c0%afpasswd',
    '%u002e%u002e%u2215etc',
    `${ref}_1.pdf%20`,
    `%20${ref}_1.pdf`,
    `${ref}_1.pdf;.txt`,
    `${ref}_1.pdf%3F`,
    `~%2F.ssh%2Fid_rsa`,
    '.%2e/.%2e/openapi.yaml',
    `${ref}_1.pdf%0d%0aX-Injected:%20yes`,
  ];

  it('at least 20 traversal and odd file names are refused with 400 or 404, never with a file', async () => {
    const list = variants();
    expect(list.length).toBeGreaterThanOrEqual(20);
    for (const v of list) {
      const r = await rawGet(s.baseUrl, `/api/v1/order/${ref}/${v}/download/`);
      expect([400, 404], `${v.slice(0, 80)} → ${r.status}`).toContain(r.status);
      expect(r.body.startsWith('%PDF')).toBe(false);
      expect(r.body).not.toMatch(/root:|openapi:|\[fonts\]|"name":/);
      expect(r.body).not.toContain('X-Injected');
    }
  });
});
