META
key;value
description;Buurtbudget Osdorp
country;Netherlands
unit;Amsterdam
district;Nieuw-West
instance;490
num_projects;31
budget;215000
vote_type;approval
rule;greedy
date_begin;2021
date_end;2021
min_length;3
max_length;5
language;nl
currency;EUR
comment;#1: The leftover_budget entry indicates how leftover budget is spent.
leftover_budget;Fund additional projects that fit within leftover budget ordered by score
PROJECTS
project_id;cost;votes;name
41093;7000;1127;Avondverlichting Osdorper Ban
41091;30000;1053;Speelfontein en flora in stadspark Osdorp
41104;27700;994;Weggeefwinkel
41083;10000;894;Boulevard met kraampjes
41109;120000;755;Toegankelijke speeltuin in Stadspark Osdorp
41099;14400;651;Bijles voor iedereen
41081;27720;597;Muziek in Stadspark Osdorp
41088;25000;534;Dijktuin Osdorperbovenpolder
41094;10000;497;Hondenspeelplaats in Stadspark Osdorp
41107;80000;459;Speelplek bij de Hoekenespad/Nieuwe Osdorpergracht
41097;12520;450;Dagtocht voor senioren
41102;12000;423;Sporttoernooi voor kinderen
41100;5000;413;Financiële hulp in Osdorp
41111;34800;373;Zelfverdediging in stadspark Osdorp
41089;8910;348;Pilot voor buurtcontact, vergroening & leefbaarheid
41103;8000;313;Vergroening parkeerplekken
41092;12000;308;Opknappen van het plein op Casimirstraat
41095;15000;301;Hollands poldertechniek in de Domela Nieuwenhuisstraat
41101;5000;300;Weerbaarheid & talentontwikkeling voor meiden
41106;20000;281;Jongeren lanceren eigen producten in de wijk
41087;50000;278;VeganPass voor duurzaam & gezonde voeding
41084;53061;257;Cultuurtuin Osdorperhof
41110;120000;243;Vernieuwing speeltuin Prof. R. Casimirstraat
41086;45000;243;Spelend leren in een bloeiende buurt
41108;2500;224;2 smiley borden voor het 30 km gebied Osdorperweg
41098;24100;218;Meiden (kook)studio
41082;31660;165;Hondenpoep meldingsapp
41096;50000;159;Verbetering speelhofjes boven de Willemskerkestraat
41090;10000;133;Verhalen van de Wildemanbuurt
41105;7750;122;De kracht van het verschil
41085;5000;108;Gereedschap voor moestuinen
VOTES
voter_id;vote
15321897661;41081,41091,41093,41107,41111
17334849877;41081,41088,41089,41091,41096
12262411164;41081,41088,41095,41097,41104
12237227835;41081,41086,41087,41107,41109
11474273377;41081,41095,41096,41097,41104
17548512060;41081,41084,41087,41102,41104
10284975635;41081,41102,41104,41106,41107
12330545177;41081,41095,41096,41104,41109
12815533228;41081,41091,41092,41109,41110
17265104997;41081,41087,41093,41100,41104
12259078958;41081,41084,41091,41092,41110
13980946418;41081,41084,41109
13933987880;41081,41083,41091,41094,41104
13106158146;41081,41083,41093,41104,41111
19461233434;41081,41086,41095,41099,41106
