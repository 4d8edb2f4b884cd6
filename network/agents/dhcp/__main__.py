from network.agents.dhcp.agent import main

main()
