#!/usr/bin/env bash
# Exports a RAM account with the aliyun CLI into DIR, one JSON file per call, for
# `ramguard account import DIR`. docs/account-import.md describes every file.
#
# Usage: scripts/export-account.sh [--profile NAME] [--rd-profile NAME]
#                                  [--no-control-policies] DIR
#
#   --profile NAME         the aliyun CLI profile of the account to export (default: the
#                          CLI's current profile); it needs read access to RAM (ram:List*,
#                          ram:GetPolicy) and Resource Manager (resourcemanager:List*)
#   --rd-profile NAME      the profile for the Resource Directory calls (GetAccount and the
#                          control policies), usually the management account's (default:
#                          --profile)
#   --no-control-policies  skip the Resource Directory calls, for an account in no resource
#                          directory; the import then warns that it has no control policies
#
# Needs only `aliyun` and `jq`. Refuses a DIR that is not empty. Every list is read page by
# page until the API says it is complete, and saved with the paging fields the import checks
# (`IsTruncated` for RAM, `TotalCount` for Resource Manager).
set -euo pipefail

usage() {
    sed -n '2,/^set -euo pipefail$/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
    echo "export-account.sh: $*" >&2
    exit 2
}

profile=
rd_profile=
control=yes
dir=
while [ $# -gt 0 ]; do
    case $1 in
        --profile)
            [ $# -ge 2 ] || die "--profile needs a profile name"
            profile=$2
            shift 2
            ;;
        --rd-profile)
            [ $# -ge 2 ] || die "--rd-profile needs a profile name"
            rd_profile=$2
            shift 2
            ;;
        --no-control-policies)
            control=no
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            [ -z "$dir" ] || die "give one DIR (see --help)"
            dir=$1
            shift
            ;;
    esac
done
[ -n "$dir" ] || die "give the directory to write (see --help)"
command -v aliyun > /dev/null || die "the aliyun CLI is not installed"
command -v jq > /dev/null || die "jq is not installed"
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2> /dev/null || echo unreadable)" ]; then
    die "$dir is not an empty directory: give a new one, so that no file of another export is mixed in"
fi
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Which profile `call` uses: the account's, or for Resource Directory calls the RD one.
as_rd=no

# call ARGS...: one aliyun call, shown first; the response on stdout.
call() {
    local flags=()
    if [ "$as_rd" = yes ] && [ -n "$rd_profile" ]; then
        flags=(--profile "$rd_profile")
    elif [ -n "$profile" ]; then
        flags=(--profile "$profile")
    fi
    echo "+ aliyun $*" >&2
    # stdin closed: the loops below read their names from it.
    aliyun "$@" ${flags[@]+"${flags[@]}"} < /dev/null
}

# place FILE: saves stdin as DIR/FILE, whole or not at all.
place() {
    local path=$dir/$1
    mkdir -p "$(dirname "$path")"
    cat > "$path.part"
    mv "$path.part" "$path"
}

# fetch FILE ARGS...: one call, its response saved as FILE.
fetch() {
    local file=$1
    shift
    call "$@" > "$tmp/response"
    jq -e 'type == "object"' "$tmp/response" > /dev/null ||
        die "aliyun $* did not print a JSON object"
    place "$file" < "$tmp/response"
}

# rd_fetch FILE ARGS...: fetch, with the Resource Directory profile.
rd_fetch() {
    as_rd=yes
    fetch "$@"
    as_rd=no
}

# page_file N: where page N of the list being read is kept.
page_file() {
    printf '%s/page-%05d.json' "$tmp" "$1"
}

# fetch_marker_list FILE COLLECTION ITEM ARGS...: a RAM list, every page (`Marker`) merged
# into {"COLLECTION": {"ITEM": [...]}, "IsTruncated": false}.
fetch_marker_list() {
    local file=$1 collection=$2 item=$3 marker='' page=0 last
    shift 3
    rm -f "$tmp"/page-*.json
    while :; do
        page=$((page + 1))
        last=$(page_file "$page")
        if [ -n "$marker" ]; then
            call "$@" --Marker "$marker" > "$last"
        else
            call "$@" > "$last"
        fi
        [ "$(jq -r '.IsTruncated // false' "$last")" = true ] || break
        marker=$(jq -r '.Marker // empty' "$last")
        [ -n "$marker" ] || die "aliyun $*: IsTruncated is true but there is no Marker"
    done
    jq -s -S --tab --arg c "$collection" --arg i "$item" \
        '{($c): {($i): (map(.[$c][$i] // []) | add // [])}, IsTruncated: false}' \
        "$tmp"/page-*.json | place "$file"
}

# fetch_page_list FILE COLLECTION ITEM ARGS...: a Resource Manager list, every page
# (`PageNumber`) merged into {"COLLECTION": {"ITEM": [...]}, "TotalCount": N}. The import
# refuses the file when it holds fewer than TotalCount items.
fetch_page_list() {
    local file=$1 collection=$2 item=$3 page=0 count=0 total last got
    shift 3
    rm -f "$tmp"/page-*.json
    while :; do
        page=$((page + 1))
        last=$(page_file "$page")
        call "$@" --PageNumber "$page" --PageSize 100 > "$last"
        total=$(jq -r '.TotalCount // 0 | tonumber' "$last")
        got=$(jq -r --arg c "$collection" --arg i "$item" '(.[$c][$i] // []) | length' "$last")
        count=$((count + got))
        if [ "$got" -eq 0 ] || [ "$count" -ge "$total" ]; then
            break
        fi
    done
    jq -s -S --tab --arg c "$collection" --arg i "$item" \
        '{($c): {($i): (map(.[$c][$i] // []) | add // [])},
          TotalCount: (last.TotalCount // 0 | tonumber)}' \
        "$tmp"/page-*.json | place "$file"
}

# check_name NAME: refuses a name that cannot name a file of DIR.
check_name() {
    case $1 in
        '' | . | .. | */* | *\\*) die "refusing the name '$1': it cannot name a file" ;;
    esac
}

# names FILTER FILE: the names FILTER picks from DIR/FILE, one a line.
names() {
    jq -r "$1" "$dir/$2"
}

echo "exporting into $dir" >&2
fetch "account-id.json" sts GetCallerIdentity
account_id=$(jq -r '.AccountId' "$dir/account-id.json")
check_name "$account_id"

fetch_marker_list "users.json" Users User ram ListUsers --MaxItems 1000
fetch_marker_list "groups.json" Groups Group ram ListGroups --MaxItems 100
fetch_marker_list "roles.json" Roles Role ram ListRoles --MaxItems 1000

groups=$(names '.Groups.Group[].GroupName' groups.json)
while IFS= read -r group; do
    [ -n "$group" ] || continue
    check_name "$group"
    fetch_marker_list "group-members/${group}.json" Users User \
        ram ListUsersForGroup --GroupName "$group" --MaxItems 1000
    fetch "group-policies/${group}.json" ram ListPoliciesForGroup --GroupName "$group"
done <<< "$groups"

users=$(names '.Users.User[].UserName' users.json)
while IFS= read -r user; do
    [ -n "$user" ] || continue
    check_name "$user"
    fetch "user-policies/${user}.json" ram ListPoliciesForUser --UserName "$user"
done <<< "$users"

roles=$(names '.Roles.Role[].RoleName' roles.json)
while IFS= read -r role; do
    [ -n "$role" ] || continue
    check_name "$role"
    fetch "role-policies/${role}.json" ram ListPoliciesForRole --RoleName "$role"
done <<< "$roles"

fetch_page_list "resource-groups.json" ResourceGroups ResourceGroup \
    resourcemanager ListResourceGroups
rgs=$(names '.ResourceGroups.ResourceGroup[].Id' resource-groups.json)
while IFS= read -r rg; do
    [ -n "$rg" ] || continue
    check_name "$rg"
    fetch_page_list "resource-group-resources/${rg}.json" Resources Resource \
        resourcemanager ListResources --ResourceGroupId "$rg"
done <<< "$rgs"
fetch_page_list "policy-attachments.json" PolicyAttachments PolicyAttachment \
    resourcemanager ListPolicyAttachments

# Every policy attached anywhere, once: `TYPE<tab>NAME`.
shopt -s nullglob
listings=("$dir"/user-policies/*.json "$dir"/group-policies/*.json "$dir"/role-policies/*.json)
shopt -u nullglob
{
    if [ ${#listings[@]} -gt 0 ]; then
        jq -r '.Policies.Policy[]? | "\(.PolicyType)\t\(.PolicyName)"' "${listings[@]}"
    fi
    names '.PolicyAttachments.PolicyAttachment[] | "\(.PolicyType)\t\(.PolicyName)"' \
        policy-attachments.json
} | sort -u > "$tmp/policies"
while IFS=$'\t' read -r type policy; do
    check_name "$policy"
    case $type in
        Custom)
            fetch "policies/${policy}.json" ram GetPolicy --PolicyType Custom --PolicyName "$policy"
            ;;
        System)
            fetch "system-policies/${policy}.json" ram GetPolicy --PolicyType System --PolicyName "$policy"
            ;;
        *) die "policy $policy has the unknown PolicyType '$type'" ;;
    esac
done < "$tmp/policies"

if [ "$control" = yes ]; then
    rd_fetch "rd-account.json" resourcemanager GetAccount --AccountId "$account_id"
    # The Root, the folders down to the account, and the account: rd-…/r-…/fd-…/<account-id>.
    rd_path=$(jq -r '.Account.ResourceDirectoryPath // empty' "$dir/rd-account.json")
    [ -n "$rd_path" ] || die "GetAccount gave no ResourceDirectoryPath"
    IFS=/ read -r -a parts <<< "$rd_path"
    targets=()
    for part in "${parts[@]}"; do
        case $part in
            rd-*) ;;
            *) targets+=("$part") ;;
        esac
    done
    case " ${targets[*]} " in
        *" $account_id "*) ;;
        *) targets+=("$account_id") ;;
    esac
    for target in "${targets[@]}"; do
        check_name "$target"
        rd_fetch "control-policy-attachments/${target}.json" \
            resourcemanager ListControlPolicyAttachmentsForTarget --TargetId "$target"
    done
    jq -r '.ControlPolicyAttachments.ControlPolicyAttachment[]?
            | select(.PolicyType == "Custom") | .PolicyId' \
        "$dir"/control-policy-attachments/*.json | sort -u > "$tmp/control"
    while IFS= read -r id; do
        [ -n "$id" ] || continue
        check_name "$id"
        rd_fetch "control-policies/${id}.json" resourcemanager GetControlPolicy --PolicyId "$id"
    done < "$tmp/control"
fi

echo "exported account $account_id into $dir; next: ramguard account import $dir -o account.json" >&2
