import type { Stance } from '../api/types';
import { STANCE_COLOURS } from '../ui/stances';

export function StanceBadge({ stance }: { stance: Stance | null }) {
  if (!stance) return <span className="badge none">no stance</span>;
  const colour = STANCE_COLOURS[stance];
  return (
    <span className="badge" data-stance={stance} style={{ background: colour.fill, color: colour.text }}>
      {stance}
    </span>
  );
}
