/**
 * File contents of the reference server, all made in memory: order documents
 * (tiny valid PDFs, or CSV annexes) and the streamed CSV export. No request
 * ever reaches the disk: a document is served only when its exact name is in
 * the order's own list, and its bytes are generated from that entry.
 */
import { Readable } from 'node:stream';
import type { OrderSummary } from './orders.ts';

/** A plain document name: letters, digits, `_`, `-`, `.`, no `..`, at most 200 characters. */
export function isPlainFilename(name: string): boolean {
  return name.length > 0 && name.length <= 200 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.includes('..');
}

export function contentTypeOf(name: string): string {
  return name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream';
}

function pdfText(s: string): string {
  // ASCII only, with PDF string escapes.
  return s
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

/** A one-page PDF 1.4 with correct cross-reference offsets, showing `lines`. */
export function tinyPdf(lines: string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 12 Tf 72 ${770 - i * 18} Td (${pdfText(l)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const TITLES: Record<string, string> = {
  BDC: 'Bon de commande',
  CRVT: 'Compte rendu de visite technique',
  PVL: 'Proces-verbal de livraison',
  CRI: "Compte rendu d'intervention",
  ANNEXE: 'Annexe',
};

/** The bytes of one of an order's documents. */
export function documentBytes(ref: string, doc: { type: string; name: string }, siteClient: string): Buffer {
  if (doc.name.toLowerCase().endsWith('.pdf')) {
    return tinyPdf([`${TITLES[doc.type] ?? doc.type} - ${ref}`, doc.name, siteClient]);
  }
  return Buffer.from(`order_reference,document,site_client\n${csvField(ref)},${csvField(doc.name)},${csvField(siteClient)}\n`, 'utf8');
}

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The export's column labels of the `export-labels` variant, by order-list field (a field not here keeps its name). */
export const EXPORT_LABELS: Readonly<Record<string, string>> = {
  modification_date: 'Date de modification',
  order_reference: 'Référence commande',
  id: 'Identifiant',
  order_date: 'Date de commande',
  cancellation_date: "Date d'annulation",
  cancellation_reason: "Motif d'annulation",
  completion_date: 'Date de mise en service',
  delivery_lead_time: 'Délai de livraison (semaines)',
  state: 'Statut',
  project_id: 'Projet',
  offer_family: "Famille d'offre",
  offer_technology: 'Technologie',
  commitment: 'Engagement',
  site_client: 'Adresse du site',
  site_client_2: 'Adresse du site 2',
  end_customer_name: 'Client final',
  end_customer_name_2: 'Client final 2',
  created_by: 'Créé par',
};

/**
 * The export file as a stream: a header row with the order-list fields in the
 * spec's order (or `header`, names for them), then one row per order,
 * produced chunk by chunk as the reader pulls, so the whole file never sits
 * in memory.
 */
export function csvStream(fields: string[], chunks: Iterable<OrderSummary[]>, header: string[] = fields): Readable {
  const it = chunks[Symbol.iterator]();
  let headerSent = false;
  return new Readable({
    read() {
      if (!headerSent) {
        headerSent = true;
        this.push(`${header.map(csvField).join(',')}\r\n`);
        return;
      }
      try {
        const next = it.next();
        if (next.done) {
          this.push(null);
          return;
        }
        let out = '';
        for (const row of next.value) {
          const r = row as unknown as Record<string, unknown>;
          out += `${fields.map((f) => csvField(r[f])).join(',')}\r\n`;
        }
        this.push(out);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
