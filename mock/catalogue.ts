/**
 * Plausible reference data for seeded orders: products per offer family,
 * options, sites, end customers, managers. Values imitate the documentation's
 * examples (FIBDE, "12MOIS", "T0 + 1 week", COVAGE billing sites). The offer
 * families are checked against the `OfferFamily` enum of the spec at start-up.
 */
import type { components } from '../generated/openapi.ts';

export interface ProductEntry {
  id: string;
  family: string;
  name: string;
  bandwidth: string;
  bandwidth_guarantee: string | number;
  bandwidth_max: number;
  months: number;
  tarif_zone: string;
  offer_technology: string;
  far: number;
  fas: number;
  fad: number;
  price: number;
}

export const PRODUCTS: readonly ProductEntry[] = [
  { id: '1679', family: 'BPE', name: 'BPE 100M _Zone très dense_12 mois ', bandwidth: '100M', bandwidth_guarantee: 'G', bandwidth_max: 100, months: 12, tarif_zone: 'TRESDENSE', offer_technology: 'FIBDE', far: 540, fas: 360, fad: 0, price: 145 },
  { id: '1682', family: 'BPE', name: 'BPE 1G _Zone moins dense_36 mois', bandwidth: '1G', bandwidth_guarantee: 'G', bandwidth_max: 1000, months: 36, tarif_zone: 'MOINSDENSE', offer_technology: 'FIBDE', far: 0, fas: 1200, fad: 0, price: 390 },
  { id: '1690', family: 'BPE', name: 'BPE 500M _Zone 2_24 mois', bandwidth: '500M', bandwidth_guarantee: 500, bandwidth_max: 500, months: 24, tarif_zone: 'ZONE2', offer_technology: 'FIBDE', far: 300, fas: 800, fad: 0, price: 260 },
  { id: '2210', family: 'BPEA', name: 'BPEA 1G Activé_Zone 1_36 mois', bandwidth: '1G', bandwidth_guarantee: 1000, bandwidth_max: 1000, months: 36, tarif_zone: 'ZONE1', offer_technology: 'FIBAC', far: 0, fas: 1500, fad: 150, price: 520 },
  { id: '2214', family: 'BPEA', name: 'BPEA 10G Activé_Zone très dense_60 mois', bandwidth: '10G', bandwidth_guarantee: 'G', bandwidth_max: 10000, months: 60, tarif_zone: 'TRESDENSE', offer_technology: 'FIBAC', far: 900, fas: 2500, fad: 250, price: 1450 },
];

/** An option as the contract defines it (generated from openapi.yaml, not restated). */
export type OptionEntry = components['schemas']['ProductOption'];

export const OPTIONS: readonly OptionEntry[] = [
  { name: 'GTR 4H HO', label: 'GTR 4H HO', type: 'SERVI', option_id: '194', price: 0, recurring: true },
  { name: 'Livraison locale', label: 'Livraison locale', type: 'SERVI', option_id: '2220', price: 0, recurring: true },
  { name: 'GTR 4H HNO', label: 'GTR 4H HNO', type: 'SERVI', option_id: '237', price: 45, recurring: true },
  { name: 'Double adduction', label: 'Double adduction', type: 'SECUR', option_id: '1615', price: 120, recurring: true },
  { name: 'Mise en service express', label: 'Mise en service express', type: 'SERVI', option_id: '1620', price: 250, recurring: false },
];

export interface SiteEntry {
  street_number: string;
  street_name: string;
  postcode: string;
  city: string;
  insee_code: string;
  latitude: number;
  longitude: number;
}

export const SITES: readonly SiteEntry[] = [
  { street_number: '3', street_name: 'RUE ANDREI DIMITRI SAKHAROV', postcode: '76130', city: 'MONT ST AIGNAN', insee_code: '76451', latitude: 49.474174, longitude: 1.090847 },
  { street_number: '12', street_name: 'AVENUE JEAN JAURES', postcode: '69007', city: 'LYON', insee_code: '69387', latitude: 45.74522, longitude: 4.84263 },
  { street_number: '45', street_name: 'RUE DE LA REPUBLIQUE', postcode: '13002', city: 'MARSEILLE', insee_code: '13202', latitude: 43.29955, longitude: 5.36722 },
  { street_number: '8', street_name: 'BOULEVARD DE LA LIBERTE', postcode: '59800', city: 'LILLE', insee_code: '59350', latitude: 50.63405, longitude: 3.05813 },
  { street_number: '150', street_name: 'ROUTE DE NARBONNE', postcode: '31400', city: 'TOULOUSE', insee_code: '31555', latitude: 43.56098, longitude: 1.46373 },
  { street_number: '2', street_name: 'PLACE DU COMMERCE', postcode: '44000', city: 'NANTES', insee_code: '44109', latitude: 47.21309, longitude: -1.55813 },
  { street_number: '77', street_name: 'RUE DU FAUBOURG SAINT-ANTOINE', postcode: '75011', city: 'PARIS', insee_code: '75111', latitude: 48.85196, longitude: 2.37418 },
  { street_number: '5', street_name: 'ALLEE DES TILLEULS', postcode: '35000', city: 'RENNES', insee_code: '35238', latitude: 48.11198, longitude: -1.68186 },
];

export const END_CUSTOMERS: readonly string[] = ['king jouet', 'Boulangerie Martin', 'Clinique du Parc', 'Lycée Jean Moulin', 'Garage Dupuis & Fils', 'Mairie de Saint-Ouen', 'Hôtel Le Relais', 'Cabinet Lefèvre', 'Transports Bernard', 'Pharmacie Centrale'];

export const FIRST_NAMES: readonly string[] = ['Camille', 'Lucas', 'Chloé', 'Hugo', 'Léa', 'Nathan', 'Manon', 'Louis'];
export const LAST_NAMES: readonly string[] = ['DUPONT', 'MARTIN', 'BERNARD', 'PETIT', 'DURAND', 'LEROY', 'MOREAU', 'GIRARD'];

export const MANAGERS: readonly { name: string; email: string; phone: string }[] = [
  { name: 'Gregory DUPONT', email: 'gregory.d@covage.com', phone: '612345678' },
  { name: 'Sophie LAMBERT', email: 'sophie.l@covage.com', phone: '623456789' },
  { name: 'Karim BENALI', email: 'karim.b@covage.com', phone: '634567890' },
  { name: 'Isabelle ROUX', email: 'isabelle.r@covage.com', phone: '645678901' },
];

export const BILLING_SITES: readonly { ref: string; name: string }[] = [
  { ref: 'AUX00', name: 'COVAGE INFRA' },
  { ref: 'LYO01', name: 'COVAGE LYON' },
  { ref: 'PAR02', name: 'COVAGE PARIS EST' },
];

export const TECHNICAL_ZONES: readonly string[] = ['THD Zone 1', 'THD Zone 2', 'THD Zone 3'];
export const TOPOLOGIES: readonly string[] = ['COLST', 'POINT', 'ETOIL'];
export const CHANGE_REASONS: readonly string[] = ['Changement de débit', "Ajout d'une option", 'Modification du contact technique'];
export const CANCEL_REASONS: readonly string[] = ['Annulation à la demande du client', 'Projet abandonné', 'Doublon de commande'];
export const REJECT_REASONS: readonly string[] = ['Adresse non raccordable', 'Refus du propriétaire', 'Échec de production'];

/** Documents attached when a production step is reached: step → [type, file suffix]. */
export const STEP_DOCUMENTS: readonly { step: string; type: string; suffix: string }[] = [
  { step: 'technical_visit_report_published', type: 'CRVT', suffix: 'CRVT.pdf' },
  { step: 'delivery_report_published', type: 'PVL', suffix: 'PV_livraison.pdf' },
  { step: 'intervention_report_published', type: 'CRI', suffix: 'CRI.pdf' },
];
