META
key;value
description;Buurtbudget Rijnbuurt West
country;Netherlands
unit;Amsterdam
district;Zuid
instance;588
num_projects;15
budget;100000
vote_type;approval
rule;greedy
date_begin;2022
date_end;2022
max_sum_cost;100000
language;nl
currency;EUR
comment;#1: The leftover_budget entry indicates how leftover budget is spent. #2: Projects 42195 and 42190 had no cost specified in the original data: they were free (cost 0). To keep data consistent and not to have 0-cost projects (may cause problems when processing data) we set their costs to an artificial value of 1.
leftover_budget;Fund additional projects that fit within leftover budget ordered by score
PROJECTS
project_id;cost;votes;name
42192;14000;123;Containertuintjes tegen zwerfafval en meer groen
42190;1;121;Fietsenrekken in de Griftstraat en Moerdijkstraat
42196;7600;110;Vergroening van de Waalstraat Almstraat
42185;25000;104;Een mooiere Griftstraat met meer groen
42194;7200;100;Moerdijkstraat verdient een opfrisbeurt om verpaupering tegen te gaan
42182;20000;86;Auto's eruit, groen erin
42187;14000;75;Coffee on Wheels – gezellig koffie drinken aan de mobiele koffiebar.
42188;38800;72;Street art flatgebouw Almstraat
42183;17934;67;Cultureel buurtprogramma
42191;12000;60;Gratis Kunst workshop voor Kinderen 6 tm 12 jaar
42186;9700;59;Borstbeeld Kennedy zichtbaar en bankjes bij het gemaal
42193;14000;57;BuurtBBQ, atelierrondleiding en Oogfoto kunstwerken
42195;1;55;Bewonerscommissie opzetten
42189;39000;51;Eenzaamheid weg uit de buurt
42184;6300;51;Voor alle ouderen uit de RBW een behandelpaspoort
VOTES
voter_id;vote
16255692975;42182,42187,42188,42191,42192
16609013867;42182,42183,42184,42188,42190,42194,42195,42196
17504653674;42182,42189,42191,42192,42196
19627446678;42182,42191,42192,42193,42195
16920813951;42182,42186,42190,42191,42192,42193,42194,42196
17446345062;42182,42183,42185,42190,42191,42193,42194
16975394175;42182,42185,42186,42187,42190,42192,42194,42196
18934098372;42182
12362072963;42182,42185,42186,42187,42190,42192,42194,42196
15234148936;42182,42185,42186,42187,42190,42192,42194,42195,42196
14294403588;42182,42183,42185,42187,42190,42191
18792300266;42182,42187,42188,42191,42194,42196
10675572891;42182,42183,42185,42187,42190,42195,42196
11752793623;42182,42183,42188,42192,42195,42196
19534903511;42182,42185,42190
