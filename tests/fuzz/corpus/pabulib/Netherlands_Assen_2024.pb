META
key;value
description;Assen Top Idee
country;Netherlands
unit;Assen
instance;2024
num_projects;14
budget;100000
vote_type;approval
rule;equalshares/add1
date_begin;31.03.2024
date_end;15.04.2024
min_length;2
language;nl
currency;EUR
comment;#1: Young people between the ages of 12 and 27 could vote
PROJECTS
project_id;cost;votes;name;selected;description
3;7200;43;PopUp Podium;1;12x per jaar zal er een PopUp Podium opduiken in de stad
9;21000;42;Jongerenplatform;1;Begrip streeft ernaar een centraal platform te creëren voor
8;40000;25;Crossbaan in Peelo;0;Een baan in Peelo waar je kunt steppen, skaten, fietsen en
2;10000;24;Go-Zero kroegentocht;1;Jongeren kunnen hun eigen muzieksmaak ontdekken
11;15000;24;Muziekproductie studio;1;Studio waar elektronische muziek geproduceerd kan
1;40000;23;Scooter Night Ride;0;Tijdens de TT Assen voor jongeren tussen de 17 en 22 jaar
13;1000;21;Samen koken en eten;1;Onder jongeren is er behoefte om nieuwe mensen te
10;50000;19;Synthetische lichten;0;Hoe mooi en romantisch zou het zijn om sterren te hebben
14;5000;14;In gesprek;1;Op school leer je wel wiskunde en nederlands maar wie
5;5000;13;LGBTQ+ bijeenkomsten;1;Leuke en gezellige bijeenkomsten voor LGBTQ+ jeugdigen
6;11000;10;Snelheidsregeling;1;Een fatbike-apparaat voor snelheidsregeling voor de
7;12000;10;RuBox;0;Een opvallend vormgegeven QR-code voor een 'glazen
12;1500;9;Uitdelen Korans;1;Ik wil graag de dialoog aangaan met mensen uit Assen
4;30000;8;Gedichtenroute;0;Een route door de stad Assen aan de hand van gedichten
VOTES
voter_id;vote
vote01006bcf-62b6-435d-a0de-2966c3e75249;1,2,6,9,13
vote02bb4517-a1b0-4aba-be48-8c195184c058;1,2,10
vote046173fb-2020-434c-8996-228dbd840ad5;1,3
vote067948a9-1d56-48d1-9b79-909daa4eed36;3,7,9,13
vote0736eebc-f9fc-4cc3-bafc-20f0abb8d525;4,13
vote0ef69c3b-bd10-4fb8-bdb7-e8c77361380a;1,2,3,10,11
vote10a23e46-1dcc-4fb6-870a-60bf5797b1b5;1,9,12,13,14
vote1249ea76-67f3-47e7-832c-664368d1fcd0;2,3,13
vote1873aed7-354e-4383-b5fe-c69649a7d45a;2,3,5,7,9,11,12,13,14
vote1c150ebe-5ff2-4b14-8ddb-5158b40b4df0;2,3,13
vote1ec9a776-27df-47f8-89d6-69fe073bfe71;3,5
vote1f089252-9a2d-4162-90b3-0c72b77c9e16;3,9
vote25b5f385-152e-42ed-8746-c144f2d6b6b7;1,3
vote2d7c54a6-2abd-4aee-a6a9-cb19b6236ebe;1,3
vote377e8016-712f-4397-bda6-78f15f57d1e1;2,5,6,9
