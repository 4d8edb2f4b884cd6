from network.agents.l3.agent import main

main()
