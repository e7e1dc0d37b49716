# bash completion for lo6relay(8): commands, options, modes and folders.
# Installed as DATADIR/bash-completion/completions/lo6relay (loaded on first
# use). tests/cli/test_completion.sh checks it against 'lo6relay --help'.

_lo6relay() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' i w
	local commands='start stop reload save status allow deny ports default stats watch doctor'
	local global='-p --pin-dir -C --config -j --json -v --verbose -h --help -V --version'
	# Options that take a value (getopt_long: anywhere on the line).
	local valued='-p --pin-dir -C --config -c --cgroup -r --relay --ports -m --mode --root'
	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=VALUE: '=' is a word of its own in COMP_WORDS.
	if [ "$cur" = = ]; then
		cur='' prev=${COMP_WORDS[COMP_CWORD - 1]}
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	# The command: the first word that is neither an option nor its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case " $valued " in
		*" $w "*) ((i++)); [ "${COMP_WORDS[i]:-}" != = ] || ((i++)); continue ;;
		esac
		case $w in -* | =) continue ;; esac
		cmd=$w
		break
	done

	case $prev in
	-p | --pin-dir)
		# Instances live in bpffs folders, /sys/fs/bpf/lo6relay by default.
		_lo6relay_dirs "${cur:-/sys/fs/bpf/}"
		return ;;
	-c | --cgroup) _lo6relay_dirs "${cur:-/sys/fs/cgroup/}"; return ;;
	--root) _lo6relay_dirs "$cur"; return ;;
	-C | --config)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	-m | --mode) mapfile -t COMPREPLY < <(compgen -W 'always auto never' -- "$cur"); return ;;
	-r | --relay) mapfile -t COMPREPLY < <(compgen -W 'auto 127.0.0.1' -- "$cur"); return ;;
	--ports) mapfile -t COMPREPLY < <(compgen -W 'none' -- "$cur"); return ;;
	esac

	if [[ $cur == -* ]]; then
		local opts=$global
		case $cmd in
		start) opts+=' -c --cgroup -r --relay --ports --all-netns --loopback4 --ipv4-localhost --show-relay' ;;
		allow) opts+=' -m --mode' ;;
		doctor) opts+=' --root' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
	elif [ "$cmd" = default ] && [ "$prev" = default ]; then
		mapfile -t COMPREPLY < <(compgen -W 'off always auto never' -- "$cur")
	fi
}

# _lo6relay_dirs PREFIX: folders under PREFIX, as file names.
_lo6relay_dirs() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -d -- "$1")
}

complete -F _lo6relay lo6relay
