" bud decisions: files ending in .bud.
autocmd BufRead,BufNewFile *.bud setfiletype bud
