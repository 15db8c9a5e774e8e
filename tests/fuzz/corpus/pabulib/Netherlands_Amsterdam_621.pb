META
key;value
description;Centrum Begroot
country;Netherlands
unit;Amsterdam
district;Centrum
instance;621
num_projects;60
budget;450000
vote_type;approval
rule;greedy
date_begin;2022
date_end;2022
max_sum_cost;450000
language;nl
currency;EUR
comment;#1: The leftover_budget entry indicates how leftover budget is spent. #2: Two plans tied for the last project to be funded. Additional municipal funds were used to fund both projects.
leftover_budget;Partially fund one additional project with highest score
PROJECTS
project_id;cost;votes;name;category
43228;37100;6754;20 groene parkjes in centrum erbij!;Groen en duurzaamheid
43237;39023;6603;Tegels eruit, groen erin!;Groen en duurzaamheid
43211;36000;5989;Boombankjes;Openbare Ruimte en Verkeer
43205;15000;5725;Plantenbankjes voor Zorgcentrum de Keyzer;Groen en duurzaamheid
43218;10500;5075;Boomstraat groener;Groen en duurzaamheid
43253;45000;4958;Meer groen op de Wallen - 54m2 gevelgroen - Fase 1;Groen en duurzaamheid
43246;10000;4558;Gierzwaluwen nestkasten op de Stopera;Groen en duurzaamheid
43247;8500;4389;Meer groen op de Wallen - 4,4m2 gevelgroen - Fase 1;Groen en duurzaamheid
43240;7500;4382;Vergroening van de Brandewijnsteeg;Groen en duurzaamheid
43201;1000;4335;Hinkelbaan op het Amstelveld;Openbare Ruimte en Verkeer
43234;10000;4200;Buurtinitiatief 'Stolpersteine';Kunst en Cultuur
43230;24000;4197;Meer biodiversiteit in de Laagte Kadijkbuurt!;Groen en duurzaamheid
43209;8000;4174;Groene Bocht en Grachtengordelklok;Groen en duurzaamheid
43231;15000;4137;Vergroenen entrees Februari- en Koeriersterplein;Groen en duurzaamheid
43223;3000;4133;5 regentonnen voor de Gedempte Begijnensloot;Groen en duurzaamheid
43197;15000;3965;Buurttuin Plukbos beter;Groen en duurzaamheid
43225;7500;3897;Verbindende theetuintjes op de Oostelijke Eilanden;Groen en duurzaamheid
43219;50000;3835;Spui Markt Amsterdam;Buurthuizen en Ontmoeting
43238;21000;3718;Wormhotels op de schoolpleinen van het Centrum!;Groen en duurzaamheid
43232;15000;3714;Een grijze steeg wordt groen;Groen en Duurzaamheid
43244;20800;3657;Een schonere Herenstraat en Prinsenstraat;Openbare Ruimte en Verkeer
43227;40000;3616;Zero Waste Hub: De Wallen;Groen en duurzaamheid
43236;2000;3337;Amsterdams Buurt Film Festival - ABFF;Kunst en Cultuur
43224;49000;3337;Leidsebuurt schoner!;Openbare Ruimte en Verkeer
43222;20000;3290;Een paar bankjes in het Funenpark;Openbare Ruimte en Verkeer
43249;5000;3160;Fietsjes/driewielers voor speeltuin UJ Klaren;Openbare Ruimte en Verkeer
43251;35650;3122;65 jaar Wijkcentrum d'Oude Stadt!;Buurthuizen en Ontmoeting
43203;9800;3119;De GEEFMARKT;Buurthuizen en Ontmoeting
43245;4600;2907;Ken uw straatkunst wandelroute;Kunst en Cultuur
43210;7500;2882;Poëzie aan de muur;Kunst en Cultuur
43221;16000;2867;Pleinbios op het Haarlemmerplein;Buurthuizen en Ontmoeting
43229;13500;2846;Kunst tegen eenzaamheid;Kunst en Cultuur
43254;5000;2777;Filmproject voor de jeugd;Kunst en Cultuur
43250;46000;2716;Vlindermuur Czaar Peterstraat;Kunst en Cultuur
43202;10000;2708;Tieners in beweging in de buurt!;Buurthuizen en Ontmoeting
43208;12000;2592;Eilandenboulevard Seizoensmarkt voor en door de buurt;Buurthuizen en Ontmoeting
43213;7400;2590;Statiegeldbeker in De Plantage;Groen en duurzaamheid
43215;2540;2584;24/7 Nieuwmarkt - Activiteiten voor jeugd;Buurthuizen en Ontmoeting
43241;6500;2359;Top Tieners - Nieuwmarkt- Activiteiten voor jeugd;Buurthuizen en Ontmoeting
43198;7000;2356;Speeltuin de Waag 100 jaar!;Buurthuizen en Ontmoeting
43216;6800;2213;Verbinden jongeren in de Nieuwmarktbuurt;Buurthuizen en Ontmoeting
43217;4100;2188;Top Tieners - ruimte leuk inrichten voor jongeren;Buurthuizen en Ontmoeting
43206;50000;2092;Gezellig samenkomen in een kerker!;Buurthuizen en Ontmoeting
43248;10000;1954;Minidocumentaires van buurtbewoners;Kunst en Cultuur
43207;6800;1859;Vrouwenhuis (dans)events, trainingen en workshops;Buurthuizen en Ontmoeting
43220;7500;1844;Filmlokaal: nieuwe website en programma;Kunst en Cultuur
43226;6000;1829;Social mediakanaal jongeren activiteiten Nieuwmarktbuurt;Buurthuizen en Ontmoeting
43212;35000;1677;Wie doet wat voor kinderen? Ieders talent in beeld;Buurthuizen en Ontmoeting
43204;10200;1630;Make a Difference desk;Buurthuizen en Ontmoeting
43200;7500;1317;Huisdieren herdenkingsplek;Kunst en Cultuur
43243;11000;1315;Handboek Samen Composteren in een Wormenhotel;Groen en Duurzaamheid
43199;7500;1277;"""Generator"" pilotfilm over 3 generaties woningnood";Kunst en Cultuur
43252;35000;1100;De Utrechtstestraat Verhaalt;Buurthuizen en Ontmoeting
43214;49500;1052;Leidse Buren Pas voor bewoners van Leidsebuurt;Buurthuizen en Ontmoeting
43242;35000;1046;Haarlemmerbuurt Verhaalt 2de editie;Buurthuizen en Ontmoeting
43256;12500;961;Vervolg Buurtshow;Buurthuizen en Ontmoeting
43239;25000;913;De Leidse Run;Buurthuizen en Ontmoeting
43255;20000;891;"""Sigaristen"" geven een sigaar uit eigen doos!";Kunst en Cultuur
43235;300000;843;Onderzoek en 3D-animatie van park in IJ-tunnelmond;Openbare Ruimte en Verkeer
43233;50000;580;De Zandtovenaar komt naar het Leidseplein;Kunst en Cultuur
VOTES
voter_id;vote
19444494031;43197,43202,43205,43208,43209,43210,43211,43213,43217,43218,43222,43223,43224,43225,43228,43230,43231,43232,43234,43238,43240,43241,43244,43245,43250,43251
11889231524;43197,43201,43204,43205,43206,43209,43210,43211,43218,43221,43222,43223,43228,43231,43234,43236,43237,43240,43241,43245,43247,43250,43251,43253
10635283970;43197,43199,43205,43209,43211,43218,43219,43222,43223,43225,43228,43230,43231,43232,43237,43238,43240,43246,43247,43253,43254
19471782233;43197,43201,43205,43208,43222,43228,43230
16428457827;43197,43201,43202,43203,43205,43206,43207,43209,43211,43212,43215,43216,43218,43222,43223,43225,43228,43230,43231,43232,43236,43237,43238,43239,43240,43241,43245,43246,43249
19804634657;43197,43201,43202,43203,43205,43206,43208,43209,43211,43212,43213,43215,43218,43222,43223,43225,43228,43230,43231,43232,43236,43237,43238,43239,43240,43241,43246,43249
16201911869;43197,43200,43207,43208,43209,43211,43213,43215,43216,43219,43222,43224,43225,43229,43232,43234,43236,43237,43240,43245,43247,43249,43250,43253,43254,43255
18464235945;43197,43205,43210,43218,43222,43225,43230,43232,43248,43250,43251
18506959228;43197,43198,43204,43205,43218,43219,43225,43227,43228,43230,43231,43232,43234,43237,43238,43240,43244,43247,43249,43250,43253
11249669932;43197,43201,43202,43205,43208,43209,43210,43211,43213,43219,43220,43221,43222,43223,43225,43228,43229,43230,43232,43236,43237,43238,43245,43246,43250,43255
17568414053;43197,43199,43203,43205,43209,43210,43211,43212,43213,43218,43219,43225,43227,43228,43230,43231,43232,43236,43237,43240,43243,43245,43253
11446684711;43197,43205,43209,43213,43218,43223,43225,43227,43228,43230,43231,43232,43237,43238,43240,43243,43246,43247,43253
11328199835;43197,43201,43202,43205,43208,43209,43210,43211,43213,43218,43221,43223,43225,43227,43228,43230,43231,43232,43234,43237,43238,43239,43240,43246,43247,43253
11041263479;43197,43202,43205,43208,43210,43211,43218,43222,43225,43228,43230,43231,43232,43236,43237,43238,43239,43240,43246,43249,43250,43253
10759574379;43197,43205,43209,43219,43223,43227,43228,43230,43231,43232,43236,43237,43240,43244,43247,43248,43250,43251,43253
