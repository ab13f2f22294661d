# The man page netpolc(1) and the bash completion, generated from one
# source: the --help texts of the built netpolc (`netpolc --help` lists the
# verbs, `netpolc VERB --help` gives each verb's synopsis and options).
# usage: cmake -DNETPOLC=path/to/netpolc -DOUT_DIR=dir -DVERSION=x.y.z -P generate.cmake
execute_process(COMMAND ${NETPOLC} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "netpolc --help failed")
endif()

# roff escapes: backslashes, and a leading dot or quote on a line
function(roff text out)
  string(REPLACE "\\" "\\e" t "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" t "${t}")
  set(${out} "${t}" PARENT_SCOPE)
endfunction()

string(REGEX MATCHALL "\n  [a-z]+ +[^\n]+" lines "${top}")
set(verbs "")
set(man ".TH NETPOLC 1 \"\" \"netpolc ${VERSION}\" \"User Commands\"\n")
string(APPEND man ".SH NAME\nnetpolc \\- network policy compiler and verifier for Kubernetes\n")
string(APPEND man ".SH SYNOPSIS\n.B netpolc\n.I VERB\n[\\fIOPTIONS\\fR] \\fIARGS\\fR...\n")
string(APPEND man ".SH DESCRIPTION\n")
roff("${top}" top_r)
string(APPEND man ".nf\n${top_r}.fi\n.SH VERBS\n")
set(completion_cases "")
foreach(line ${lines})
  string(REGEX REPLACE "^\n  ([a-z]+) +(.*)$" "\\1" verb "${line}")
  string(REGEX REPLACE "^\n  ([a-z]+) +(.*)$" "\\2" summary "${line}")
  list(APPEND verbs ${verb})
  execute_process(COMMAND ${NETPOLC} ${verb} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  string(APPEND man ".SS ${verb}\n${summary}.\n")
  if(rc EQUAL 0 AND NOT verb STREQUAL "help")
    roff("${help}" help_r)
    string(APPEND man ".PP\n.nf\n${help_r}.fi\n")
    string(REGEX MATCHALL "(^|[ ,\n])(--?[a-zA-Z][-a-zA-Z]*)" opts "${help}")
    set(words "")
    foreach(o ${opts})
      string(REGEX REPLACE "^[ ,\n]" "" o "${o}")
      list(APPEND words ${o})
    endforeach()
    list(REMOVE_DUPLICATES words)
    list(JOIN words " " words)
    string(APPEND completion_cases "        ${verb}) opts=\"${words}\" ;;\n")
  endif()
endforeach()
string(APPEND man ".SH EXIT STATUS\n0 success; 1 findings (eval: denied); 2 bad input or usage.\n")
string(APPEND man ".SH SEE ALSO\nThe README, docs/spec.md and docs/diagnostics.md of the netpolc sources.\n")
file(WRITE ${OUT_DIR}/netpolc.1 "${man}")

list(JOIN verbs " " verb_words)
file(WRITE ${OUT_DIR}/netpolc.bash
"# bash completion for netpolc, generated from its --help texts
_netpolc() {
    local cur verb opts
    cur=\"\${COMP_WORDS[COMP_CWORD]}\"
    if [ \"\$COMP_CWORD\" -eq 1 ]; then
        COMPREPLY=( \$(compgen -W \"${verb_words} --help --version\" -- \"\$cur\") )
        return
    fi
    verb=\"\${COMP_WORDS[1]}\"
    case \"\$verb\" in
${completion_cases}        help) COMPREPLY=( \$(compgen -W \"${verb_words}\" -- \"\$cur\") ); return ;;
        *) opts=\"\" ;;
    esac
    if [[ \"\$cur\" == -* ]]; then
        COMPREPLY=( \$(compgen -W \"\$opts\" -- \"\$cur\") )
    else
        COMPREPLY=( \$(compgen -f -- \"\$cur\") )
    fi
}
complete -o filenames -F _netpolc netpolc
")
