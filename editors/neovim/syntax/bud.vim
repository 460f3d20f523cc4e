" Vim syntax file for bud, the language of budget decisions (https://github.com/…/bud).
" The same words as the VS Code grammar (editors/vscode/syntaxes/bud.tmLanguage.json);
" the language server's semantic tokens, where an editor asks for them, say more:
" which names are tables, rows and values.

if exists("b:current_syntax")
  finish
endif

syntax keyword budKeyword decision report issuer label absent to import period add after
syntax keyword budKeyword paragraph table title meeting currency unit rounding columns
syntax keyword budKeyword notation as note scale group apportion rates base rate
syntax keyword budKeyword contribution except erratum annex rule without arrears status
syntax keyword budKeyword from years exempt fixed ceiling cap floor data total scenario
syntax keyword budKeyword replace remove in of year Total UN comma
syntax keyword budStated stated
syntax match budKeyword "\<half-\(up\|even\)\>"

syntax match budOperator "[-+*/^=:]"
syntax match budFunction "\<\(sum\|share\|published\|round\)\ze("
syntax match budUnit "US\$\|\<\(thousands\|thousand\|millions\|million\|posts\|post\)\>\|\<per cent\>\|%"
" A figure: 1,875.2, 20.0, 13; a published dash (-, – in UN notation) or a blank (_)
" between spaces. Defined after the operators, so a dash standing alone is a figure.
syntax match budFigure "\<\(\d\{1,3}\(,\d\{3}\)\+\|\d\+\)\(\.\d\+\)\?\>"
syntax match budFigure "\s\zs[-_–]\ze\(\s\|$\)"
" A row's or section's marker: A., II., 12.
syntax match budMarker "^\s*\zs\([IVXLC]\+\|[A-Z]\|\d\+\)\.\ze\s"

syntax match budEscape contained +\\[\\"]+
syntax region budString start=+"+ skip=+\\[\\"]+ end=+"\|$+ oneline contains=budEscape
syntax match budComment "//.*$" contains=@Spell

highlight default link budKeyword Keyword
highlight default link budStated Statement
highlight default link budOperator Operator
highlight default link budFunction Function
highlight default link budUnit Type
highlight default link budFigure Number
highlight default link budMarker Label
highlight default link budEscape SpecialChar
highlight default link budString String
highlight default link budComment Comment

let b:current_syntax = "bud"
