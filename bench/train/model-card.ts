/** Renders the measured part of a MODEL_CARD.md from a pipeline report (prose is passed in). */
import type { PipelineReport } from './train-pipeline.js';

const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

export function metricsMarkdown(report: PipelineReport, attackWord = 'attack'): string {
  const lines: string[] = [];
  lines.push(`Rows per split: train ${report.rowsBySplit.train}, validation ${report.rowsBySplit.validation}, test ${report.rowsBySplit.test}.`);
  lines.push('');
  lines.push(`Shipped threshold: **${report.threshold.toFixed(4)}** on the calibrated score (chosen on validation for benign FPR ≤ 1%).`);
  lines.push('');
  lines.push('Headline rows use the labelled data file only (training-only augmentation rows are listed per source below).');
  lines.push('');
  lines.push('| split | recall | FPR | ROC AUC | positives | benign |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of [['validation', report.validation], ['test', report.test]] as const) {
    lines.push(`| ${name} | ${pct(r.recall)} | ${pct(r.fpr)} | ${r.auc.toFixed(4)} | ${r.attacks} | ${r.benign} |`);
  }
  lines.push('');
  lines.push(`### Test split per source (at the shipped threshold)`);
  lines.push('');
  lines.push(`| source | label | rows | ${attackWord} recall / benign FPR |`);
  lines.push('|---|---:|---:|---:|');
  for (const m of report.testBySource) lines.push(`| ${m.source} | ${m.label} | ${m.rows} | ${m.label === 1 ? 'recall' : 'FPR'} ${pct(m.rate)} |`);
  lines.push('');
  lines.push(`### Test split per subset`);
  lines.push('');
  lines.push('| source / subset | label | rows | rate |');
  lines.push('|---|---:|---:|---:|');
  for (const m of report.testBySubset) lines.push(`| ${m.source} | ${m.label} | ${m.rows} | ${m.label === 1 ? 'recall' : 'FPR'} ${pct(m.rate)} |`);
  lines.push('');
  lines.push('### How recall and FPR move with the threshold (test split)');
  lines.push('');
  lines.push('| threshold | recall | FPR |');
  lines.push('|---:|---:|---:|');
  for (const s of report.sweep) lines.push(`| ${s.threshold.toFixed(4)} | ${pct(s.recall)} | ${pct(s.fpr)} |`);
  lines.push('');
  lines.push(`Calibration: Platt scaling fitted on the validation split (a = ${report.calibration.a.toFixed(3)}, b = ${report.calibration.b.toFixed(3)}), folded into the weights; expected calibration error on test (10 bins) = ${report.calibration.ece.toFixed(3)}.`);
  if (report.secondHead !== undefined) {
    lines.push('');
    lines.push(`Second output '${report.secondHead.name}': accuracy ${pct(report.secondHead.accuracy)} on the ${report.secondHead.rows} attack rows of the test split.`);
  }
  if (report.loso.length > 0) {
    lines.push('');
    lines.push('### Leave-one-source-out');
    lines.push('');
    lines.push('Trained without the source (its rows removed from train and validation), threshold chosen on the remaining validation rows, measured on ALL rows of the held-out source.');
    lines.push('');
    lines.push('| held-out source | label | rows | rate | threshold |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const l of report.loso) lines.push(`| ${l.source} | ${l.label} | ${l.rows} | ${l.label === 1 ? 'recall' : 'FPR'} ${pct(l.rate)} | ${l.threshold.toFixed(3)} |`);
  }
  lines.push('');
  lines.push(`Training time: ${report.trainingSeconds.toFixed(0)} s (2-core machine).`);
  return lines.join('\n');
}
