export const multinationalForce = {
  id: 'ukraine-multinational-force',
  title: 'Post-ceasefire multinational force in Ukraine',
  description: 'Whether the country would contribute troops to a European-led force deployed in Ukraine after a ceasefire.',
};

export const spainOpensDoor = {
  topicId: 'ukraine-multinational-force',
  stance: 'open',
  effectiveOn: '2026-01-06',
  headline: 'Spain opens door to troops',
  summary: 'Pedro Sánchez opened the door to sending soldiers onto the ground in Ukraine.',
  source: {
    publisher: 'El País',
    title: 'Europe agrees to create an "international force" with US support',
    url: 'https://example.org/international-force',
    publishedOn: '2026-01-06',
    quote: "If we've done it in other regions, why shouldn't we do it in Europe?",
    speaker: 'Pedro Sánchez',
  },
};
