// French names of the ESS markers for the text alternatives of the public radars. The public API
// gives marker ids only; the committee's questionnaire (config/questionnaire.toml) names them.
// An unknown id is shown as itself, made readable.
const labels = {
  gouvernance: 'Gouvernance démocratique',
  utilite_sociale: 'Utilité sociale',
  primaute_personne: 'Primauté de la personne sur le profit',
  cooperation_territoriale: 'Coopération territoriale',
  innovation_sociale: 'Innovation sociale',
  transition_environnementale: 'Transition environnementale',
  implication_usagers: 'Implication des usagers et des citoyens',
  richesses_humaines: 'Richesses humaines',
};
const order = Object.keys(labels);

export function markerLabel(id) {
  if (labels[id]) return labels[id];
  const text = String(id).replace(/[_-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** [[id, score]] in the radar's order (known markers first, then the others by name). */
export function orderedScores(radar) {
  return Object.entries(radar || {}).sort(([a], [b]) => {
    const ia = order.indexOf(a), ib = order.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a.localeCompare(b);
  });
}

/** "Gouvernance démocratique 75 sur 100, Utilité sociale 60 sur 100, ..." */
export function radarText(radar) {
  return orderedScores(radar).map(([id, v]) => `${markerLabel(id)} ${v} sur 100`).join(', ');
}
