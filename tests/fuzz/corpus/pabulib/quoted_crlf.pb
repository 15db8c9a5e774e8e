META
key;value
budget;10000.0
vote_type;approval
description;"a;b ""quoted""
second line"
PROJECTS
project_id;cost;name
1;4000;"Jardin; partagé"
2;3000;Ressourcerie
10;5000;" espace "
VOTES
voter_id;vote;age
v1;1,2;34
v2;10,;19
v3;;50
