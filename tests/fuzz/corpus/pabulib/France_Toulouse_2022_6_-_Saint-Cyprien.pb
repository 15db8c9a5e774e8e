META
key;value
description;Municipal PB in Toulouse
country;France
unit;Toulouse
subunit;6 - Saint-Cyprien
instance;2022
num_projects;10
budget;400000.0
vote_type;approval
rule;greedy
date_begin;03.10.2022
date_end;31.10.2022
min_length;1
max_length;3
currency;EUR
PROJECTS
project_id;cost;votes;name;category;district
37;40000.0;9;Clarifier les priorités à la sortie de la rue Réclusane;Cadre de vie;6 - Saint-Cyprien
31;100000.0;9;Aire de jeux pour enfants;Cadre de vie;6 - Saint-Cyprien
36;80000.0;52;Facilliter la traversée des allées Charles de Fitte;Éco-mobilité;6 - Saint-Cyprien
35;14000.0;19;Installation des toilettes publiques entre la gare d'Arènes et le Carrefour Lombez;Cadre de vie;6 - Saint-Cyprien
32;192000.0;100;Garder arbres, espaces aérés et terrains de foot/baskets autour du dôme de La Grave (plantations d’arbres fruitiers à proximité du terrain de jeux);Nature en ville;6 - Saint-Cyprien
38;110000.0;161;Végétalisation massive de la place Roguet/ St Cyprien;Nature en ville;6 - Saint-Cyprien
39;150000.0;135;Des arbres pour la rue de la République (végétaliser la place Olivier);Nature en ville;6 - Saint-Cyprien
40;100000.0;76;Remplacer des places de stationnement par des arbres;Nature en ville;6 - Saint-Cyprien
33;90000.0;11;La rue Saint Nicolas,  artistique et ...fleurie?;Nature en ville;6 - Saint-Cyprien
34;175000.0;206;Réaménagement piéton, vélos et végétalisation allées Charles de Fitte;Éco-mobilité;6 - Saint-Cyprien
VOTES
voter_id;vote
6-12;35,36,34
6-15;34
6-106;34
6-145;38
6-151;32
6-162;34,38
6-163;32,34
6-179;34
6-182;40,34
6-197;40,32,34
6-286;40
6-313;40,34
6-316;40,39,38
6-343;34
6-356;40,34,39
