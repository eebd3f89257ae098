/** Invisible code points (zero-width spaces and joiners, soft hyphens, …) that backends tend to strip. */
const invisible = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The form of a username (or other name) its failure counters are kept under: invisible
 * characters dropped, compatibility forms folded (NFKC: full-width `ＡＬＩＣＥ` is `alice`), outer
 * white space trimmed and case folded (`ß` and `SS` count alike). So spelling variants that a
 * backend may take for the same account share one counter. Invisible characters go first, so
 * one between a letter and its accent cannot keep them apart, and the result is normalised again
 * after case folding, twice: the capital sharp s `ẞ` folds to `ß`, which folds on to `ss` — so a
 * counting name is its own counting name. Only counting uses it: the verifier still receives the
 * name exactly as sent.
 */
export function countingName(name: string): string {
  return fold(fold(name));
}

function fold(name: string): string {
  return name.replace(invisible, '').normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');
}
