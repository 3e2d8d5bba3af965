namespace KdcHa.Tests.Keepalived;

/// <summary>Dumps and config as keepalived 2.2.7 wrote and read them in the lab (trimmed to what the parsers read around).</summary>
internal static class KeepalivedSamples
{
    public const string Json = """
        [{"data":{"iname":"VI_1","dont_track_primary":0,"skip_check_adv_addr":0,"strict_mode":0,"vmac_ifname":"","ifp_ifname":"d0","master_priority":0,"last_transition":1795552022.503687,"garp_delay":5,"garp_refresh":0,"garp_rep":5,"garp_refresh_rep":1,"garp_lower_prio_delay":5,"garp_lower_prio_rep":5,"lower_prio_no_advert":0,"higher_prio_send_advert":0,"vrid":77,"base_priority":100,"effective_priority":50,"vipset":true,"promote_secondaries":false,"adver_int":1,"master_adver_int":1,"accept":1,"nopreempt":false,"preempt_delay":0,"state":2,"wantstate":2,"version":2,"smtp_alert":false,"notify_deleted":false,"vips":["10.9.9.100 dev d0 scope global set"],"auth_type":0},"stats":{"advert_rcvd":0,"advert_sent":1,"become_master":1,"release_master":0,"packet_len_err":0,"advert_interval_err":0,"ip_ttl_err":0,"invalid_type_rcvd":0,"addr_list_err":0,"invalid_authtype":0,"authtype_mismatch":0,"auth_failure":0,"pri_zero_rcvd":0,"pri_zero_sent":0}}]
        """;

    public const string Data = """

        ------< Global definitions >------
         Network namespace = (default)
         Router ID = kx
        ------< VRRP Topology >------
         VRRP Instance = VI_1
           VRRP Version = 2
           State = FAULT
           Flags: none
           Wantstate = BACKUP
           Last transition = 1795552022.503687 (Tue Nov 24 20:27:02.503687 2026)
           Interface = d0
           Virtual Router ID = 77
           Priority = 100
           Effective priority = 50
           Total priority = 50
           Virtual IP (2):
             10.9.9.100 dev d0 scope global set
             10.9.9.101/24 dev d0 scope global
           fd_in 19, fd_out 20
        ------< VRRP Sockpool >------
         fd_in 19 fd_out = 20
        ------< Interfaces >------
         Name = lo
        """;

    public const string Config = """
        global_defs {
            router_id kdc1   # comment { with a brace
        }
        vrrp_instance KDC_VIP
        {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority 90
            track_file {
                drain weight -50
            }
            virtual_ipaddress {
                198.18.0.100/32 dev eth0
                198.18.0.101
            }
        }
        vrrp_instance NO_VRID {
            interface eth1
        }
        """;
}
