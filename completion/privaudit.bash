# bash completion for privaudit(1): subcommands, options, their values and
# check ids. The options and the ids are read from the installed binary
# (`privaudit --help`, `privaudit checks`), so they cannot drift from it.
# Installed as PREFIX/share/bash-completion/completions/privaudit.

_privaudit_options()
{
	"$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_privaudit_check_ids()
{
	"$1" checks 2>/dev/null | awk 'NR > 1 && $1 ~ /^[a-z]+\./ { print $1 }'
}

_privaudit()
{
	local cur prev words cword bin cmd i
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	bin=${words[0]}
	command -v "$bin" >/dev/null 2>&1 || bin=privaudit

	case $prev in
	--ldif | --password-file | --keytab | --ca-file | -p | --policy | --json | --xlsx | \
	--baseline | --junit | -o | --output)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--fail-on)
		COMPREPLY=($(compgen -W "info low medium high critical" -- "$cur"))
		return
		;;
	--lang)
		COMPREPLY=($(compgen -W "en ja" -- "$cur"))
		return
		;;
	-Y | --sasl-mech)
		COMPREPLY=($(compgen -W "GSSAPI" -- "$cur"))
		return
		;;
	-H | --uri)
		COMPREPLY=($(compgen -W "ldap:// ldaps://" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return
		;;
	-b | --base | -D | --bind-dn | --principal | --dc | --page-size | --timeout | \
	--range-size | --connections | --now)
		return
		;;
	esac

	cmd=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		audit | collect | diff | checks | policy)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $cmd in
	"")
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_privaudit_options "$bin")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "audit collect diff checks policy" -- "$cur"))
		fi
		;;
	checks)
		COMPREPLY=($(compgen -W "--json $(_privaudit_check_ids "$bin")" -- "$cur"))
		;;
	policy)
		if [[ ${words[cword - 1]} == policy ]]; then
			COMPREPLY=($(compgen -W "check defaults" -- "$cur"))
		elif [[ ${words[cword - 1]} == check ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	diff)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --xlsx --fail-on --force --lang -q --quiet -v --verbose" -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
		fi
		;;
	*)
		COMPREPLY=($(compgen -W "$(_privaudit_options "$bin")" -- "$cur"))
		;;
	esac
}
complete -F _privaudit privaudit
