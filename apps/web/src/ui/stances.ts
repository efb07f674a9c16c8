import { STANCE_SCORES } from '../../../../libs/domain/src/shared/stance';
import type { Stance } from '../api/types';

/** The five steps, from firm opposition to firm support: the domain's scale, read from there. */
export const STANCES = (Object.keys(STANCE_SCORES) as Stance[]).sort((a, b) => STANCE_SCORES[a] - STANCE_SCORES[b]);
export const scoreOf = (stance: Stance): number => STANCE_SCORES[stance];

/** A diverging scale (red to blue through yellow) readable by the colour-blind; "no stance" is a neutral grey. */
export const STANCE_COLOURS: Record<Stance, { fill: string; text: string }> = {
  opposes: { fill: '#b2182b', text: '#ffffff' },
  skeptical: { fill: '#ef8a62', text: '#1a1a1a' },
  undecided: { fill: '#f6d860', text: '#1a1a1a' },
  open: { fill: '#67a9cf', text: '#1a1a1a' },
  supports: { fill: '#2166ac', text: '#ffffff' },
};
export const NO_STANCE_FILL = '#e3e3e3';
